"""Request bodies checked by an input serializer: the data, or a 400 listing each problem."""

from rest_framework import serializers


def validated(serializer_class: type[serializers.Serializer], data, **context) -> dict:
    serializer = serializer_class(data=data, context=context)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
