"""What the user may configure in a place, for the links of the team's pages (`{% config_abilities place as
may %}`): the same answers as the configuration pages themselves (`views.config.abilities`)."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def config_abilities(context, place):
    from relais.spaces.views.config import abilities

    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    may = abilities(user, place)
    may["any"] = any(may.values())
    return may
