"""Terms of Service and Privacy Policy pages: starting texts, sanitising,
saving with history, and the public views at ``/legal/<kind>/``."""
