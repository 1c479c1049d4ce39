"""The starting Terms of Service and Privacy Policy, shown until the
installation saves its own (the admin's "add" form starts from these)."""

from __future__ import annotations

TERMS_TITLE = "Terms of Service"
TERMS_BODY = """\
<p>This service is a Postdeck installation run by the organisation named on its \
sign-in page (the "operator"). Its staff use it to plan posts and publish them \
to TikTok accounts they manage.</p>
<h2>Who may use it</h2>
<p>Only staff accounts the operator creates may sign in. Creators connect their \
own TikTok account and may disconnect it at any time.</p>
<h2>Publishing to TikTok</h2>
<ul>
<li>Nothing is sent to TikTok until a staff member has reviewed the post, chosen \
who can view it and agreed to TikTok's Music Usage Confirmation (and, for \
branded content, TikTok's Branded Content Policy).</li>
<li>Posts must be original content the creator has the right to publish; content \
copied from other platforms is not allowed.</li>
<li>TikTok may take a few minutes to process a post before it appears on the \
profile, and TikTok's own terms and community guidelines apply to everything \
published.</li>
</ul>
<h2>Availability</h2>
<p>The operator runs the service as it is and may change or stop it. These terms \
may change; the date of the last change is shown on this page.</p>
"""

PRIVACY_TITLE = "Privacy Policy"
PRIVACY_BODY = """\
<p>This page says what this Postdeck installation stores about TikTok accounts \
connected to it, why, for how long, and how to have it deleted.</p>
<h2>What is stored</h2>
<ul>
<li><strong>Account identity:</strong> the TikTok open id, username, display \
name, avatar address and verified badge, so staff see which account they post \
to.</li>
<li><strong>Access:</strong> the access and refresh tokens TikTok issues when \
you connect, encrypted at rest, and the permissions (scopes) you granted.</li>
<li><strong>Posting rules:</strong> TikTok's creator information (who can view \
your posts, whether comments, Duet and Stitch are allowed, the longest video), \
read again before every post.</li>
<li><strong>Posts:</strong> the media, captions and settings of posts staff \
schedule, TikTok's publish id and status for each, and the notifications TikTok \
sends about them.</li>
<li><strong>Statistics:</strong> follower, like and video counts and per-video \
figures, when you granted the permissions that allow reading them.</li>
</ul>
<h2>What it is used for</h2>
<p>Only to publish the posts staff schedule to your account, to show their \
status, and to report on them to the operator's staff. Nothing is sold or \
shared with third parties; media reaches TikTok only for the post it belongs \
to, through a link that stops working once the post is done.</p>
<h2>How long it is kept</h2>
<p>Tokens are kept while the account is connected. The rest is kept until the \
account's data is deleted as described below, or the operator deletes the \
posts.</p>
<h2>Disconnecting and deleting your data</h2>
<ul>
<li>Ask the operator's staff to disconnect the account, or remove this app's \
access in the TikTok app (Settings and privacy, Security, Apps and services \
permissions); TikTok then tells this installation, which stops using the \
tokens.</li>
<li>Once disconnected, staff delete the account's stored TikTok data (profile, \
tokens, creator information, statistics and TikTok's notifications about it) \
with the "Delete stored TikTok data" action; Postdeck reports what it \
deleted.</li>
</ul>
<h2>Changes</h2>
<p>The date of the last change is shown on this page.</p>
"""

#: kind -> (title, body), for ``cms.models.LegalPage.Kind`` values.
STARTING_TEXTS = {
    "terms": (TERMS_TITLE, TERMS_BODY),
    "privacy": (PRIVACY_TITLE, PRIVACY_BODY),
}
