from django.core.exceptions import ValidationError


def read_limited(uploaded_file, *, max_bytes, too_large, empty):
    """An upload's bytes, or a ValidationError (`too_large`, `empty`) before reading more
    than `max_bytes` + 1 of them: the size a client declares is not trusted."""
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(too_large, code="too_large")
    uploaded_file.seek(0)
    # One byte past the limit: a stream may under-report its size.
    data = uploaded_file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValidationError(too_large, code="too_large")
    if not data:
        raise ValidationError(empty, code="empty")
    return data
