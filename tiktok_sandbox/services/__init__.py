"""The sandbox's write side. Tests, the admin, the seed command and the views
use these; each module's docstring says what it owns."""

from tiktok_sandbox.services.defaults import (
    sandbox_creator_create,
    sandbox_creator_update,
    sandbox_ensure_defaults,
    sandbox_settings_get,
    sandbox_settings_update,
)
from tiktok_sandbox.services.faults import (
    sandbox_fault_add,
    sandbox_fault_take,
    sandbox_faults_clear,
)
from tiktok_sandbox.services.lifecycle import (
    AdvanceReport,
    sandbox_advance,
    sandbox_creator_post_draft,
    sandbox_creator_remove_authorization,
    sandbox_publish_advance,
)
from tiktok_sandbox.services.tokens import (
    IssuedTokens,
    sandbox_access_tokens_expire_all,
    sandbox_tokens_issue,
)
from tiktok_sandbox.services.uploads import sandbox_upload_url_expire
from tiktok_sandbox.services.webhooks import (
    sandbox_webhook_redeliver,
    sandbox_webhooks_deliver,
)

__all__ = [
    "AdvanceReport",
    "IssuedTokens",
    "sandbox_access_tokens_expire_all",
    "sandbox_advance",
    "sandbox_creator_create",
    "sandbox_creator_post_draft",
    "sandbox_creator_remove_authorization",
    "sandbox_creator_update",
    "sandbox_ensure_defaults",
    "sandbox_fault_add",
    "sandbox_fault_take",
    "sandbox_faults_clear",
    "sandbox_publish_advance",
    "sandbox_settings_get",
    "sandbox_settings_update",
    "sandbox_tokens_issue",
    "sandbox_upload_url_expire",
    "sandbox_webhook_redeliver",
    "sandbox_webhooks_deliver",
]
