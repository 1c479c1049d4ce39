"""The content calendar's read and write side: the JSON feed (``feed``),
TikTok's daily caps per account and local day (``capacity``) and moving a
post by drag and drop or keyboard (``moves``). Its admin page lives in
``tiktok_integration.admin.calendar``."""
