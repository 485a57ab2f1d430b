from django.urls import path

from . import views

urlpatterns = [
    path("", views.root, name="root"),
    path("login", views.LoginView.as_view(), name="login"),
    path("logout", views.LogoutView.as_view(), name="logout"),
    path("app/", views.AppHomeView.as_view(), name="app-home"),
]
