"""The partner API of this app: serializers, viewsets and routes."""
