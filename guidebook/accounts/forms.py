from django import forms
from django.contrib.auth.forms import UserCreationForm

from .models import Profile, User

# Names that would shadow a URL under /accounts/.
RESERVED_USERNAMES = frozenset(
    {
        "login",
        "logout",
        "signup",
        "activate",
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
    email = forms.EmailField(
        required=True,
        help_text="We send a link there to confirm it; never shown publicly.",
    )

    class Meta(UserCreationForm.Meta):
        model = User
        # Not "email": the model would refuse a taken address with a message that says so.
        fields = ["username"]

    field_order = ["username", "email", "password1", "password2"]

    def clean_username(self):
        username = super().clean_username()  # None when it already recorded "taken"
        if username and username.lower() in RESERVED_USERNAMES:
            raise forms.ValidationError("That username is reserved. Please choose another.")
        return username

    def clean_email(self):
        # Whether the address has an account already is not said here (services.user_register
        # e-mails its owner instead): the page must not tell a stranger who has an account.
        email = User.objects.normalize_email(self.cleaned_data["email"])
        self.instance.email = email  # for the password's similarity check
        return email


class ProfileForm(forms.ModelForm):
    website = forms.URLField(
        required=False, assume_scheme="https", help_text="Your own site or blog, if you have one."
    )

    class Meta:
        model = Profile
        fields = ["display_name", "bio", "website", "external_handle"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 5})}
