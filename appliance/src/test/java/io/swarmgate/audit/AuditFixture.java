package io.swarmgate.audit;

import io.swarmgate.pki.CmsSignatures;
import io.swarmgate.pki.Pki;
import io.swarmgate.store.DataDirectory;
import io.swarmgate.store.Database;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.util.List;

/** A data directory with a migrated database, an initialised PKI and the audit services over them. */
final class AuditFixture implements AutoCloseable {

    final DataDirectory dataDir;
    final Database database;
    final Pki pki;
    final Audit audit;

    AuditFixture(Path root, Clock clock) {
        dataDir = new DataDirectory(root).create();
        pki = Pki.at(dataDir.pkiDir());
        pki.initialize(List.of("swarmgate.test"));
        database = Database.open(dataDir, 4, true);
        audit = Audit.open(database.dataSource(), pki, dataDir.exportDir(), clock);
    }

    List<X509Certificate> trusted() throws Exception {
        return CmsSignatures.trusted(pki.caCertificateFile());
    }

    AuditVerifier verifier() throws Exception {
        return new AuditVerifier(trusted());
    }

    /** Appends {@code n} entries by alternating actors, with a detail that differs per entry. */
    void fill(int n) throws Exception {
        for (int i = 0; i < n; i++) {
            audit.log().record(AuditEvent.success(i % 2 == 0 ? Actor.admin("alice", null) : Actor.cli("root"),
                    "stream.changed", "stream-" + i).with("n", i));
        }
    }

    void sql(String sql, Object... params) throws Exception {
        try (Connection c = database.dataSource().getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            s.executeUpdate();
        }
    }

    @Override
    public void close() {
        audit.close();
        database.close();
    }
}
