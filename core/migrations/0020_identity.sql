-- 0020: site identity (issue 15, identity; 第六条; 政府网站发展指引): the 党政机关网站标识 image the office uploads
-- in 系统设置 (core/identity.py). The portal build writes it to /static/ under a name carrying its hash; the
-- footer shows it linked to the certificate page (setting dzjg_cert_url).
CREATE TABLE site_assets (
    name        TEXT PRIMARY KEY,           -- 'dzjg_mark'
    filename    TEXT NOT NULL,              -- as uploaded (shown in 系统设置 only)
    mime        TEXT NOT NULL,              -- image/png, image/jpeg or image/gif: checked from the bytes
    content     BLOB NOT NULL,
    sha256      TEXT NOT NULL,
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    updated_by  INTEGER                     -- users.id
);
