"""How clients name providers and models, and the one spelling the price table uses.

A run (or an OpenTelemetry span) names its provider as its client does (``azure_openai``,
``gcp.vertex_ai``, ``aws.bedrock``) and its model with whatever prefix its SDK adds
(``models/gemini-2.5-pro``, ``us.anthropic.claude-...`` for a Bedrock inference profile);
the price table is looked up under the canonical provider and each variant of the name.
"""

from __future__ import annotations

PROVIDERS = ("openai", "anthropic", "google", "mistral", "bedrock")
# Where a model name is priced by several providers and the run names none.
PREFERRED_PROVIDERS = (*PROVIDERS, "azure", "vertex_ai")
# Names clients (and the OpenTelemetry gen_ai conventions) use for the same provider.
PROVIDER_ALIASES = {
    "azure-openai": "openai",
    "azure_openai": "openai",
    "gemini": "google",
    "vertex": "google",
    "vertexai": "google",
    "vertex_ai": "google",
    "google-vertex": "google",
    "gcp.gemini": "google",
    "gcp.vertex_ai": "google",
    "gcp.gen_ai": "google",
    "mistralai": "mistral",
    "mistral_ai": "mistral",
    "amazon-bedrock": "bedrock",
    "aws-bedrock": "bedrock",
    "aws_bedrock": "bedrock",
    "aws.bedrock": "bedrock",
    "amazon": "bedrock",
    "azure.ai.openai": "azure",
    "azure.ai.inference": "azure",
    "az.ai.openai": "azure",
    "az.ai.inference": "azure",
    "azure_ai": "azure",
    "x_ai": "xai",
    "ibm.watsonx.ai": "watsonx",
}
# Cross-region inference profiles prefix Bedrock model ids.
REGION_PREFIXES = ("us.", "eu.", "apac.", "global.", "jp.", "au.", "ca.", "us-gov.")


def name_variants(name: str) -> list[str]:
    """A model name as sent, then without a ``provider/`` or ``models/`` prefix or a region prefix."""
    variants = [name]
    if "/" in name:
        variants.append(name.split("/", 1)[1])
    for variant in list(variants):
        for prefix in REGION_PREFIXES:
            if variant.startswith(prefix):
                variants.append(variant[len(prefix) :])
    return variants


def normalize_provider(provider: str | None) -> str | None:
    if not provider:
        return None
    name = provider.strip().lower()
    return PROVIDER_ALIASES.get(name, name)
