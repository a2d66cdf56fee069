-- Audience-restricted tokens (docs/security.md#audiences). Portable SQL, as V1.
-- resources: the resource servers (RFC 8707 resource indicators, one per line) a client may ask
-- access tokens for; its tokens name them in aud. Empty: the client's tokens are meant for the
-- client itself (aud = its client_id).
-- resource_uri: for a confidential client that is itself a resource server, its resource
-- indicator; it may introspect the tokens whose aud names it (RFC 7662 4).
ALTER TABLE clients ADD COLUMN resources TEXT NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN resource_uri TEXT;
