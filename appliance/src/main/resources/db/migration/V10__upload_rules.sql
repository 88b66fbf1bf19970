-- Upload rules per stream policy: whether viewers on Wi-Fi upload (cellular has its own column
-- since V2), and how many segments and how many kbit/s one viewer may upload at a time. Existing
-- policies get what the SDK did before these were policy: Wi-Fi uploads, 4 uploads, 20 Mbit/s.
ALTER TABLE stream_policy ADD COLUMN upload_on_wifi BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE stream_policy ADD COLUMN max_uploads INT NOT NULL DEFAULT 4;
ALTER TABLE stream_policy ADD COLUMN max_upload_kbps INT NOT NULL DEFAULT 20000;
