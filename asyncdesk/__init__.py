"""AsyncDesk: one batched inbox for email and chat, opened only in communication windows."""

__version__ = "0.1.0"
APP_NAME = "AsyncDesk"
APP_ID = "app.asyncdesk.AsyncDesk"
