"""Stripe's webhook: the signature is verified on the raw body before anything else is read."""

from agentgate.platform.api import make_handler, make_resolver, table_route
from agentgate.schemas.billing import WebhookReceipt
from agentgate.services import billing_events

app = make_resolver()


@table_route(app, __name__)
def receive_stripe_event() -> WebhookReceipt:
    event = app.current_event
    return billing_events.receive(event.decoded_body or "", event.headers.get("Stripe-Signature"))


handler = make_handler(app)
