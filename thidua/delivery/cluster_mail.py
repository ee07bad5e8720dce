"""The cluster report's mail: one message per [[cluster.contacts]] entry with that province's standing."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

from thidua.base.cluster_config import Contact
from thidua.base.config import Config
from thidua.delivery.compose import assemble, render_mail

CLUSTER_BRIEF = "thidua.cluster-mail/1"  # the `kind` of a cluster report's brief in the ledger
PREFIX = "cum-"  # templates/email/cum-*.j2


def template_context(brief: dict[str, Any], contact: Contact) -> dict[str, Any]:
    """What the cum-*.j2 templates read: the cluster, the contact, their province's standing (None when
    the province has not reported)."""
    return {"cluster": brief["cluster"], "year": brief["year"], "n_ranked": brief["n_ranked"],
            "missing": brief.get("missing", []), "recipient": {"name": contact.name, "email": contact.email},
            "province": contact.province, "standing": brief["provinces"].get(contact.province)}


def cluster_message(brief: dict[str, Any], contact: Contact, pdf: bytes, pdf_name: str, config: Config) -> EmailMessage:
    """One contact's message, the cluster report attached."""
    parts = render_mail(template_context(brief, contact), config.templates_dir, pdf_name, prefix=PREFIX)
    return assemble(parts, contact.name, contact.email, pdf, config)
