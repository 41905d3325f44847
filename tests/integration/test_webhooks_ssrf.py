"""SSRF: webhook URLs that reach private, loopback, link-local or metadata addresses are refused at
registration and again at delivery; a delivery connects to the address that was checked."""

import socket

import pytest

from agentgate import net
from agentgate.models import WebhookDeliveryItem, WebhookItem, tenant_pk
from agentgate.platform.settings import reset_settings
from agentgate.services import events
from tests.support.api import call
from tests.support.governance import Receiver, drain, make_tenant, user

ADMIN = user("t1")
REAL_GETADDRINFO = socket.getaddrinfo


def resolve_names_to(monkeypatch, table):
    """DNS for the test: the names in ``table`` resolve to the given address, the rest as usual."""

    def getaddrinfo(host, port, *args, **kwargs):
        if host in table:
            family = socket.AF_INET6 if ":" in table[host] else socket.AF_INET
            return [(family, socket.SOCK_STREAM, 6, "", (table[host], port))]
        return REAL_GETADDRINFO(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture
def tenant(aws):
    make_tenant("t1")
    return aws


def register(url):
    return call("POST", "/api/v1/webhooks", body={"url": url, "events": ["agent.paused"]}, ctx=ADMIN)


def stored_hooks():
    return list(WebhookItem.query(tenant_pk("t1"), WebhookItem.sk.startswith("WEBHOOK#")))


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://127.0.0.1/",
        "http://10.0.0.1/",
        "http://192.168.1.20:8080/hook",
        "http://172.16.5.4/",
        "http://100.64.0.1/",
        "http://0.0.0.0/",
        "http://[::1]/",
        "http://[fd00:ec2::254]/",
        "http://[::ffff:10.0.0.1]/",
        "http://localhost/",
    ],
)
def test_non_public_addresses_are_refused_at_registration_and_nothing_is_written(tenant, url):
    reply = register(url)
    assert reply.status == 400, reply.text
    assert reply.json["error"]["code"] == "unsafe_url"
    assert reply.json["error"]["details"][0]["field"] == "url"
    assert stored_hooks() == []


def test_a_hostname_that_resolves_to_a_private_address_is_refused(tenant, monkeypatch):
    resolve_names_to(monkeypatch, {"hooks.customer.example": "10.1.2.3"})
    reply = register("https://hooks.customer.example/agentgate")
    assert reply.status == 400
    assert "10.1.2.3" in reply.json["error"]["message"]
    assert stored_hooks() == []


def test_a_hostname_that_resolves_to_a_public_address_is_accepted(tenant, monkeypatch):
    resolve_names_to(monkeypatch, {"hooks.customer.example": "93.184.216.34"})
    assert register("https://hooks.customer.example/agentgate").status == 201


def test_the_loopback_setting_admits_loopback_only(tenant, monkeypatch):
    monkeypatch.setenv("ALLOW_LOOPBACK_WEBHOOKS", "true")
    reset_settings()
    assert register("http://127.0.0.1:9000/hook").status == 201
    assert register("http://10.0.0.1/").status == 400
    assert register("http://169.254.169.254/").status == 400


def test_a_name_that_turns_private_after_registration_is_refused_at_delivery(tenant, monkeypatch):
    resolve_names_to(monkeypatch, {"hooks.customer.example": "93.184.216.34"})
    hook = register("http://hooks.customer.example/agentgate").json
    resolve_names_to(monkeypatch, {"hooks.customer.example": "169.254.169.254"})  # DNS rebinding
    events.emit("t1", "agent.paused", {"agent_id": "agt_1"})
    drain(tenant, rounds=1)
    delivery = next(
        iter(WebhookDeliveryItem.query(tenant_pk("t1"), WebhookDeliveryItem.sk.startswith("WHDELIVERY#")))
    )
    assert delivery.webhook_id == hook["id"]
    assert delivery.status == "retrying"
    assert delivery.attempts[0]["error"].startswith("refused")
    assert delivery.attempts[0]["status_code"] is None


def test_a_delivery_connects_to_the_checked_address_not_a_second_lookup(tenant, monkeypatch):
    monkeypatch.setenv("ALLOW_LOOPBACK_WEBHOOKS", "true")
    reset_settings()
    receiver = Receiver()
    try:
        port = receiver.server.server_address[1]
        resolve_names_to(monkeypatch, {"hooks.customer.example": "127.0.0.1"})  # exists only in this test
        assert register(f"http://hooks.customer.example:{port}/in").status == 201
        events.emit("t1", "agent.paused", {"agent_id": "agt_1"})
        drain(tenant, rounds=1)
        headers, _ = receiver.requests[0]
        assert headers["Host"] == f"hooks.customer.example:{port}"
    finally:
        receiver.close()


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2606:4700:4700::1111", True),
        ("10.0.0.1", False),
        ("169.254.169.254", False),
        ("fe80::1", False),
        ("::ffff:127.0.0.1", False),
        ("224.0.0.1", False),
        ("198.18.0.1", False),
    ],
)
def test_which_addresses_count_as_public(address, public):
    import ipaddress

    assert net.is_public(ipaddress.ip_address(address)) is public


def _self_signed(tmp_path, host):
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


@pytest.fixture
def https_receiver(tmp_path):
    import ssl

    cert, key = _self_signed(tmp_path, "hooks.customer.example")
    receiver = Receiver()
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert, key)
    receiver.server.socket = server_context.wrap_socket(receiver.server.socket, server_side=True)
    yield receiver, cert
    receiver.close()


def _https_delivery(tenant, monkeypatch, receiver):
    monkeypatch.setenv("ALLOW_LOOPBACK_WEBHOOKS", "true")
    reset_settings()
    resolve_names_to(monkeypatch, {"hooks.customer.example": "127.0.0.1"})
    port = receiver.server.server_address[1]
    assert register(f"https://hooks.customer.example:{port}/in").status == 201
    events.emit("t1", "agent.paused", {"agent_id": "agt_1"})
    drain(tenant, rounds=1)
    return next(
        iter(WebhookDeliveryItem.query(tenant_pk("t1"), WebhookDeliveryItem.sk.startswith("WHDELIVERY#")))
    )


def test_https_to_the_checked_address_verifies_the_certificate_for_the_host_name(
    tenant, monkeypatch, https_receiver
):
    import ssl

    receiver, cert = https_receiver
    trusting = ssl.create_default_context(cafile=str(cert))
    monkeypatch.setattr(net.ssl, "create_default_context", lambda: trusting)
    delivery = _https_delivery(tenant, monkeypatch, receiver)
    assert delivery.status == "delivered", delivery.attempts
    assert receiver.requests[0][0]["Host"].startswith("hooks.customer.example:")


def test_https_with_an_untrusted_certificate_is_a_failed_attempt(tenant, monkeypatch, https_receiver):
    receiver, _ = https_receiver
    delivery = _https_delivery(tenant, monkeypatch, receiver)
    assert delivery.status == "retrying"
    assert "CERTIFICATE_VERIFY_FAILED" in delivery.attempts[0]["error"]
    assert receiver.requests == []
