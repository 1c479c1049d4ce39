"""Review before publishing: editorial states, approvals, comments, preview
links and notifications (docs/review.md)."""
