"""The composer screen (issue 11): views, panels, the form's parsing, the
live state after the button and the words TikTok prescribes (docs/tiktok.md §8).
The URLs hang off ``cms.admin.content.PostAdmin.get_urls``."""
