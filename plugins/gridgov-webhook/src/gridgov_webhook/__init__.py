"""gridgov-webhook: signed JSON POST notifications (Standard Webhooks) and chat robots."""

from gridgov_webhook.channel import WebhookChannel, WebhookError
from gridgov_webhook.signing import dingtalk_sign, sign, signing_key

__all__ = ["WebhookChannel", "WebhookError", "dingtalk_sign", "sign", "signing_key"]
