"""An upload handler that stops storing a file once it passes the size limit.

The request body still has to be read, but nothing past the limit reaches the disk, and memory use
stays flat whatever the upload's size (FILE_UPLOAD_MAX_MEMORY_SIZE = 0 sends every file to a
temporary file). The file is marked so that validation refuses it with the real size.
"""

from django.conf import settings
from django.core.files.uploadhandler import TemporaryFileUploadHandler


class SizeLimitedUploadHandler(TemporaryFileUploadHandler):
    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        self.limit = settings.IMAGE_MAX_UPLOAD_BYTES

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received <= self.limit:
            self.file.write(raw_data)
        return None

    def file_complete(self, file_size):
        file = super().file_complete(file_size)
        file.exceeded_limit = self.received > self.limit
        return file
