from django.db import models


class Message(models.Model):
    room = models.CharField(max_length=100)
    text = models.TextField()
    created = models.DateTimeField(auto_now_add=True)


class OnlineUser(models.Model):
    username = models.CharField(max_length=150, unique=True)
    last_seen = models.DateTimeField(auto_now=True)
