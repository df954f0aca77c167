from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import two_factor, views
from .forms import ResetForm

# The `accounts` namespace also holds « Mon espace » (dashboard, resolve-report, review-proposal): those
# views need the places, so they live in the site layer (relais/site/account_urls.py), and relais/urls.py
# includes both lists under /comptes/ as one namespace.
app_name = "accounts"
urlpatterns = [
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("connexion/nouveau-lien/", views.resend_activation, name="resend-activation"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("inscription/", views.signup_view, name="signup"),
    path("inscription/envoyee/", views.signup_sent, name="signup-sent"),
    path("inscription/confirmer/<uidb64>/<token>/", views.activate, name="activate"),
    path(
        "mot-de-passe/oublie/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset_form.html",
            form_class=ResetForm,
            email_template_name="accounts/email/password_reset.txt",
            subject_template_name="accounts/email/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "mot-de-passe/envoye/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/change/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path("double-authentification/", two_factor.setup, name="second-factor-setup"),
    path("double-authentification/code/", two_factor.verify, name="second-factor-verify"),
    path(
        "double-authentification/codes-de-secours/", two_factor.regenerate_codes, name="second-factor-codes"
    ),
    path("double-authentification/retirer/", two_factor.disable, name="second-factor-disable"),
    path("jetons/", views.tokens, name="tokens"),
    path("jetons/<uuid:token_id>/revoquer/", views.revoke_token, name="revoke-token"),
]
