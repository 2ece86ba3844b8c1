from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe
from django.views.generic import DetailView, FormView, TemplateView, UpdateView

from .activation import user_for_activation
from .backends import BACKEND_PATH
from .forms import ProfileForm, SignUpForm
from .models import Profile, User
from .services import profile_update, user_activate, user_register


class SignUpView(FormView):
    form_class = SignUpForm
    template_name = "accounts/signup.html"

    def form_valid(self, form):
        user_register(
            username=form.cleaned_data["username"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            site_url=f"{self.request.scheme}://{self.request.get_host()}",
        )
        return redirect("accounts:signup_done")


class SignUpDoneView(TemplateView):
    template_name = "accounts/signup_done.html"


@require_safe
def activate(request, uidb64, token):
    user = user_for_activation(uidb64, token)
    if user is None:
        return render(request, "accounts/activation_invalid.html", status=400)
    user_activate(user=user)
    login(request, user, backend=BACKEND_PATH)
    messages.success(request, "Welcome to Guidebook! Tell us a little about yourself.")
    return redirect(user)


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
        fetching = profile_update(profile=self.object, **form.cleaned_data)
        messages.success(self.request, "Your profile has been saved.")
        if fetching:
            messages.info(self.request, "We're fetching your public profile in the background.")
        return redirect(self.object)
