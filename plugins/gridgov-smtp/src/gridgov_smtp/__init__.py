"""gridgov-smtp: e-mail notifications through smtplib."""

from gridgov_smtp.channel import SmtpChannel, build_email

__all__ = ["SmtpChannel", "build_email"]
