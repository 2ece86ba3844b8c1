from django import forms
from django.contrib.auth.forms import UserCreationForm

from .models import Profile, User

# Names that would shadow a URL under /accounts/.
RESERVED_USERNAMES = frozenset(
    {
        "login",
        "logout",
        "signup",
        "password",
        "password_change",
        "password_reset",
        "reset",
        "admin",
        "staff",
        "me",
        "edit",
    }
)


class SignUpForm(UserCreationForm):
    email = forms.EmailField(required=True, help_text="For password resets; never shown publicly.")

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", "email"]

    def clean_username(self):
        username = super().clean_username()  # None when it already recorded "taken"
        if username and username.lower() in RESERVED_USERNAMES:
            raise forms.ValidationError("That username is reserved. Please choose another.")
        return username

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"])
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "An account with this e-mail address already exists. "
                "Log in, or reset your password if you have forgotten it."
            )
        return email


class ProfileForm(forms.ModelForm):
    website = forms.URLField(
        required=False, assume_scheme="https", help_text="Your own site or blog, if you have one."
    )

    class Meta:
        model = Profile
        fields = ["display_name", "bio", "website", "external_handle"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 5})}
