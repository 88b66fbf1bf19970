package io.swarmgate.qoe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.swarmgate.config.ApplianceConfig;
import io.swarmgate.store.DataDirectory;
import io.swarmgate.store.Database;
import io.swarmgate.store.PostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The QoE statements whose SQL differs between H2 and PostgreSQL (additive upserts, the hourly
 * rollup's replacing upsert, chunked pruning) on a real PostgreSQL: same sums as on H2.
 */
@Timeout(180)
class QoeRepositoryPostgresIT {

    @TempDir
    Path dir;

    @Test
    void minutesAddUpRollIntoHoursAndArePrunedOnPostgresql() throws Exception {
        try (PostgresServer postgres = PostgresServer.start();
             Database db = Database.open(new DataDirectory(dir).create(), new ApplianceConfig.Database(2,
                     postgres.newDatabase(), PostgresServer.USER, postgres.passwordFile(), 1000), true)) {
            QoeRepository repo = new QoeRepository(db.dataSource());
            long hour = 1_800_000_000L / 3600 * 3600;
            long[] counters = new long[QoeColumns.COUNT];
            counters[QoeColumns.P2P_BYTES] = 500;
            // The same minute written twice (two appliances, or before and after a restart) adds up.
            repo.mergeMinutes(List.of(new QoeDeltas.Minute("tv", "hq", hour, 2, counters.clone()),
                    new QoeDeltas.Minute("tv", "branch", hour + 60, 1, counters.clone())));
            repo.mergeMinutes(List.of(new QoeDeltas.Minute("tv", "hq", hour, 3, counters.clone())));
            assertEquals(1000, sum(db, "SELECT p2p_bytes FROM qoe_minute WHERE site = 'hq'"));
            assertEquals(1500, sum(db, "SELECT p2p_bytes FROM qoe_minute_total WHERE stream_id = '*' AND site = '*'"));

            repo.rollupHour(hour);
            repo.rollupHour(hour); // again: replaced, not added
            assertEquals(1500, sum(db, "SELECT p2p_bytes FROM qoe_hour_total WHERE stream_id = '*' AND site = '*'"));
            assertEquals(2, sum(db, "SELECT COUNT(*) FROM qoe_hour"));

            assertEquals(2, repo.pruneBefore(QoeTable.MINUTE, hour + 3600));
            assertEquals(0, sum(db, "SELECT COUNT(*) FROM qoe_minute"));
        }
    }

    private static long sum(Database db, String sql) throws Exception {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            long total = 0;
            while (rs.next()) {
                total += rs.getLong(1);
            }
            return total;
        }
    }
}
