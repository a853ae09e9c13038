"""Evidence: opens image files safely and reads what they prove (capture time, camera, serial, thumbnails, XMP, RAW), then groups originals into shoots."""
