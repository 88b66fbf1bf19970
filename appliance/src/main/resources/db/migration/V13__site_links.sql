-- Each site's WAN link as its viewers measured it (signaling/SiteLinkRepository): the figure the
-- appliance remembers for a day, tells joiners in welcome.siteHttpKbps and shows as the console's
-- WAN link. Every appliance writes its own row per site (node: its name in the cluster) once a
-- minute and when it stops, and reads the rows back at start so a restart does not forget them;
-- in cluster mode it also picks up the rows the other appliances wrote. Times are epoch
-- milliseconds: measured_at of the newest report the figure rests on, written_at of the write.
CREATE TABLE site_link (
    site        VARCHAR(256) NOT NULL,
    node        VARCHAR(200) NOT NULL,
    kbps        BIGINT       NOT NULL,
    measured_at BIGINT       NOT NULL,
    written_at  BIGINT       NOT NULL,
    PRIMARY KEY (site, node)
);
CREATE INDEX site_link_measured_at ON site_link (measured_at);
CREATE INDEX site_link_written_at ON site_link (written_at);
