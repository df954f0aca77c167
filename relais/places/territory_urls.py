"""The territory pages and the widget, under /territoires/. They list places, so they live in the places
app; their URL namespace stays `territory`, as before they moved."""

from django.urls import path

from . import territory_pages

app_name = "territory"
urlpatterns = [
    path("commune/<str:code>/", territory_pages.commune_page, name="commune"),
    path("departement/<str:code>/", territory_pages.department_page, name="department"),
    path("region/<str:code>/", territory_pages.region_page, name="region"),
    path("widget/commune/<str:code>/", territory_pages.widget, name="widget"),
    path("widget.js", territory_pages.widget_js, name="widget-js"),
]
