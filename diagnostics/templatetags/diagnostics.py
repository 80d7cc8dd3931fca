"""`{% load diagnostics %}{% action_messages_notice %}`: the notification that links to the
Action Messages page (shown on the Inventory Cost Adjustment page)."""

from django import template

from diagnostics.services.action_messages import action_messages_to_notify

register = template.Library()


@register.inclusion_tag("diagnostics/_notice.html")
def action_messages_notice() -> dict:
    messages = list(action_messages_to_notify().order_by("importance", "type")[:3])
    return {
        "count": action_messages_to_notify().count() if len(messages) == 3 else len(messages),
        "first": messages[0] if messages else None,
    }
