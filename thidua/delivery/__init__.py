"""Mail to council members: who gets which criteria, the messages, SMTP, the ledger's delivery rules."""
