from django.http import FileResponse


def attachment_response(attachment) -> FileResponse:
    """Always a download, never shown inline: an uploaded HTML or SVG file
    must not run in our origin."""
    response = FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=attachment.name,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
