create table api_keys (
    id         uuid primary key,
    name       text not null,
    role       text not null check (role in ('ingest', 'wallboard', 'supervisor', 'admin')),
    key_hash   bytea not null unique,         -- SHA-256 of the secret; the secret itself is never stored
    prefix     text not null,                 -- first characters of the secret, to tell keys apart in a list
    created_at timestamptz not null,
    revoked_at timestamptz
);
