"""E-mail: an edition as a multipart message, the SMTP connection it is sent through, and the record of sends."""
