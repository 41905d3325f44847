"""The Stripe emulator speaks Stripe's wire formats: the SDK's form encoding in, its signature out."""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qsl, urlencode

import pytest
import stripe
from stripe._encode import _api_encode

from infra.local.stripe_emulator import sign
from infra.local.stripe_http import decode_form

SECRET = "whsec_" + "unit" * 8


def test_the_sdks_nested_form_encoding_decodes_to_the_params_it_came_from():
    params = {
        "mode": "subscription",
        "line_items": [{"price": "price_pro", "quantity": 1}, {"price": "price_x", "quantity": 2}],
        "subscription_data": {"metadata": {"tenant_id": "ten_1", "tier": "pro"}},
        "metadata": {"tenant_id": "ten_1"},
    }
    wire = urlencode(list(_api_encode(params)))
    decoded = decode_form(parse_qsl(wire))
    assert decoded == {
        "mode": "subscription",
        "line_items": [{"price": "price_pro", "quantity": "1"}, {"price": "price_x", "quantity": "2"}],
        "subscription_data": {"metadata": {"tenant_id": "ten_1", "tier": "pro"}},
        "metadata": {"tenant_id": "ten_1"},
    }


def test_its_signature_verifies_with_the_stripe_sdk():
    payload = json.dumps({"id": "evt_1", "object": "event", "type": "invoice.payment_succeeded"})
    header = sign(payload, SECRET, int(time.time()))
    assert stripe.WebhookSignature.verify_header(payload, header, SECRET, tolerance=300)
    assert header == stripe.WebhookSignature.generate_signature_header(
        payload, SECRET, timestamp=int(header.split(",")[0][2:])
    )


def test_a_signature_for_another_secret_or_body_does_not_verify():
    payload = json.dumps({"id": "evt_1"})
    header = sign(payload, SECRET, int(time.time()))
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.WebhookSignature.verify_header(payload, header, "whsec_other", tolerance=300)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.WebhookSignature.verify_header(payload + " ", header, SECRET, tolerance=300)
