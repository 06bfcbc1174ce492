from mayen_dash.access import OIDC, OPEN, PASSWORD, READ_ONLY, AccessPolicy, hash_password, verify_password


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
