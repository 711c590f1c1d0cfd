from django.urls import path

from . import views

urlpatterns = [
    path("help/", views.index, name="help"),
    path("help/articles/<slug:slug>/", views.article, name="help-article"),
    path("help/articles/<slug:slug>/attachments/<int:attachment_id>/", views.attachment, name="help-attachment"),
    path("help/comments/<int:comment_id>/moderate/", views.moderate, name="help-moderate"),
    path("help/manage/", views.manage, name="help-manage"),
    path("help/manage/new/", views.article_new, name="help-article-new"),
    path("help/manage/<slug:slug>/", views.article_edit, name="help-article-edit"),
]
