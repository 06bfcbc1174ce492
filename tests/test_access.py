import datetime as dt

from mayen_dash.access import (
    CLIENT_LOCK_AFTER,
    FREE_ATTEMPTS,
    INSTALLATION_LOCK_AFTER,
    LOCK,
    MAX_WAIT,
    OIDC,
    OPEN,
    PASSWORD,
    READ_ONLY,
    SIGN_IN_HOURS,
    AccessPolicy,
    SignInFailures,
    editor_token,
    hash_password,
    next_attempt,
    token_expiry,
    token_key,
    verify_password,
)


def test_password_hash_round_trip_and_salt():
    stored = hash_password("Geheim-2025")
    assert stored.startswith("scrypt$")
    assert "Geheim" not in stored
    assert verify_password("Geheim-2025", stored)
    assert not verify_password("geheim-2025", stored)
    assert hash_password("Geheim-2025") != stored


def test_malformed_hashes_match_nothing():
    for stored in ("", "klartext", "scrypt$1$2", "md5$a$b$c$d$e", "scrypt$16384$8$1$!!$!!"):
        assert not verify_password("x", stored)


def test_modes():
    hashed = hash_password("x")
    auth = {"auth": {"redirect_uri": "https://dashboard.mayen.de/oauth2callback", "cookie_secret": "s"}}
    assert AccessPolicy.from_settings({}, {}).mode == OPEN
    assert AccessPolicy.from_settings({"MAYEN_SHARED": "0"}, {"mayen": {"editor_password_hash": hashed}}).mode == OPEN
    assert AccessPolicy.from_settings({"MAYEN_SHARED": "1"}, {}).mode == READ_ONLY
    assert (
        AccessPolicy.from_settings({"MAYEN_SHARED": "ja"}, {"mayen": {"editor_password_hash": hashed}}).mode == PASSWORD
    )
    assert AccessPolicy.from_settings({"MAYEN_SHARED": "true"}, auth).mode == OIDC
    assert AccessPolicy.from_settings({"MAYEN_SHARED": "1"}, {"auth": {"redirect_uri": "x"}}).mode == READ_ONLY


# --- the editor cookie ---------------------------------------------------------------------------------

NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)
KEY = token_key(hash_password("Ratssitzung-2025"))


def test_a_token_is_valid_until_it_expires():
    token = editor_token(KEY, NOW)
    assert token_expiry(token, KEY, NOW) == NOW + dt.timedelta(hours=SIGN_IN_HOURS)
    assert token_expiry(token, KEY, NOW + dt.timedelta(hours=SIGN_IN_HOURS, seconds=1)) is None


def test_tokens_differ_and_are_bound_to_their_key():
    assert editor_token(KEY, NOW) != editor_token(KEY, NOW)
    other = token_key(hash_password("ein-neues-Kennwort"))
    assert token_expiry(editor_token(KEY, NOW), other, NOW) is None  # a new password signs everyone out
    assert token_key("hash", "server-secret") != token_key("hash")


def test_forged_and_malformed_tokens_are_refused():
    token = editor_token(KEY, NOW)
    expires, nonce, signature = token.split(".")
    later = str(int(expires) + 86_400)
    for forged in (
        f"{later}.{nonce}.{signature}",  # a longer life under the old signature
        f"{expires}.{nonce}.{signature[:-1]}{'B' if signature.endswith('A') else 'A'}",  # one character changed
        f"{expires}.{nonce}",
        "",
        None,
        "....",
        f"x.{nonce}.{signature}",
        f"99999999999999999999.{nonce}.{signature}",
    ):
        assert token_expiry(forged, KEY, NOW) is None


# --- waits and locks after wrong passwords -----------------------------------------------------------


def failures(count: int, seconds_ago: float = 0) -> SignInFailures:
    return SignInFailures(count, NOW - dt.timedelta(seconds=seconds_ago)) if count else SignInFailures()


def test_the_first_wrong_passwords_cost_nothing():
    for count in range(FREE_ATTEMPTS):
        assert next_attempt(failures(count), failures(count)) is None


def test_waits_double_and_are_capped_then_the_client_is_locked():
    waits = [(next_attempt(failures(n), failures(n)) - NOW).total_seconds() for n in range(3, CLIENT_LOCK_AFTER)]
    assert waits == [1, 2, 4, 8, 16, 32, 64]
    assert next_attempt(failures(CLIENT_LOCK_AFTER), failures(CLIENT_LOCK_AFTER)) == NOW + LOCK
    assert next_attempt(failures(9, seconds_ago=2000), failures(9)) < NOW  # the wait of an old failure is over
    capped = SignInFailures(9, NOW)
    assert next_attempt(capped, SignInFailures()) - NOW <= MAX_WAIT


def test_guesses_from_many_addresses_lock_the_installation():
    assert next_attempt(SignInFailures(), failures(INSTALLATION_LOCK_AFTER - 1)) is None
    assert next_attempt(SignInFailures(), failures(INSTALLATION_LOCK_AFTER)) == NOW + LOCK
