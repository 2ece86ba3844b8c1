from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.views.generic import CreateView, DetailView, UpdateView

from guidebook.events.services import publish

from .forms import ProfileForm, SignUpForm
from .models import Profile, User
from .tasks import fetch_profile


class SignUpView(CreateView):
    form_class = SignUpForm
    template_name = "accounts/signup.html"

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            publish(
                "accounts.user.registered",
                {
                    "user_id": self.object.pk,
                    "name": self.object.display_name,
                    "url": self.object.get_absolute_url(),
                },
            )
        login(self.request, self.object, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(self.request, "Welcome to Guidebook! Tell us a little about yourself.")
        return response

    def get_success_url(self):
        return self.object.get_absolute_url()


class ProfileDetailView(DetailView):
    model = User
    slug_field = slug_url_kwarg = "username"
    context_object_name = "profile_user"
    template_name = "accounts/profile_detail.html"
    queryset = User.objects.filter(is_active=True).select_related("profile")


class ProfileUpdateView(LoginRequiredMixin, UpdateView):
    form_class = ProfileForm
    template_name = "accounts/profile_form.html"

    def get_object(self, queryset=None):
        profile = get_object_or_404(
            Profile.objects.select_related("user"), user__username=self.kwargs["username"]
        )
        if profile.user != self.request.user:
            raise PermissionDenied("You can only edit your own profile.")
        return profile

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Your profile has been saved.")
        if "external_handle" in form.changed_data and self.object.external_handle:
            profile_id = self.object.pk
            transaction.on_commit(lambda: fetch_profile.delay(profile_id))
            messages.info(self.request, "We're fetching your public profile in the background.")
        return response
