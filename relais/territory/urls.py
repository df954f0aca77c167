from django.urls import path

from . import views

app_name = "territory"
urlpatterns = [
    path("commune/<str:code>/", views.commune_page, name="commune"),
    path("departement/<str:code>/", views.department_page, name="department"),
    path("region/<str:code>/", views.region_page, name="region"),
    path("widget/commune/<str:code>/", views.widget, name="widget"),
    path("widget.js", views.widget_js, name="widget-js"),
]
