-- A key of role `import` posts events of any age (not in the future): history loads past the lateness window.
alter table api_keys drop constraint if exists api_keys_role_check;
alter table api_keys add constraint api_keys_role_check check (role in ('ingest', 'import', 'wallboard', 'supervisor', 'admin'));
