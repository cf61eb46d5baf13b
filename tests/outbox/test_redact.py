"""Credentials never survive redaction; text without credentials is unchanged."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from gridgov.redact import redact_text, redact_url

SAFE = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=12)
SECRET = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ+=%~", min_size=6, max_size=20)  # URL-safe


@given(
    scheme=st.sampled_from(("http", "https", "postgresql", "smtp")),
    user=SAFE,
    password=SECRET,
    host=SAFE,
    param=st.sampled_from(("access_token", "sign", "token", "api_key", "Secret", "x_token")),
    value=SECRET,
    before=SAFE,
)
def test_passwords_and_secret_parameters_never_survive(
    scheme: str, user: str, password: str, host: str, param: str, value: str, before: str
) -> None:
    url = f"{scheme}://{user}:{password}@{host}:5432/p?plain={before}&{param}={value}"
    shown = redact_text(f"cannot reach {url}: refused")
    assert password not in shown
    assert value not in shown
    assert f"{scheme}://{user}:***@{host}:5432/p?plain={before}&{param}=***" in shown


@given(host=SAFE, path=SAFE, query=SAFE)
def test_urls_without_credentials_are_unchanged(host: str, path: str, query: str) -> None:
    for url in (
        f"https://{host}/{path}?q={query}",
        f"sqlite:////tmp/{path}.db",
        f"postgresql://postgres@{host}:5432/{path}?schema={query}",
    ):
        assert redact_url(url) == url
        assert redact_text(f"store {url} ok") == f"store {url} ok"
