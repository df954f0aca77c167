from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "relais.privacy"
    verbose_name = "Confidentialité et traçabilité"

    def ready(self):
        from relais.core.workflow import transition_applied

        from .audit import record_transition

        transition_applied.connect(record_transition, dispatch_uid="audit_transitions")
