"""An upload handler that refuses an oversized body before any of it is stored.

The CSRF middleware reads request.POST before any view runs, so without this Django
would stream every byte of a 2 GB upload to a temporary file just so the view could
refuse it. This handler runs first: when the declared Content-Length is over
UPLOAD_MAX_BODY_BYTES, file data is read off the connection and dropped (the small
form fields, CSRF token included, are still parsed), and the view refuses the request
from its length with a clear message."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler


class OversizedBodyHandler(FileUploadHandler):
    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.oversized = content_length > settings.UPLOAD_MAX_BODY_BYTES
        if self.oversized:
            self.request.upload_oversized = True

    def receive_data_chunk(self, raw_data, start):
        # None: later handlers (memory, temporary file) never see the chunk.
        return None if self.oversized else raw_data

    def file_complete(self, file_size):
        return None  # the file, if any, is the next handler's
