package io.swarmgate.cli;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A backup archive encrypted with a passphrase: AES-256-CTR, then HMAC-SHA-256 over the header
 * and the whole ciphertext (encrypt-then-MAC), both keys derived from the passphrase with
 * PBKDF2-HMAC-SHA-256 and a random salt. Streamed both ways, so an archive of any size needs no
 * more memory than a buffer; the tag is checked over the whole file before a byte is decrypted,
 * so a wrong passphrase or a changed file is refused and nothing is unpacked.
 *
 * <pre>
 * "SWARMGATE-BACKUP-AES256\n" | u32 iterations | 16 bytes salt | 16 bytes IV | ciphertext | 32 bytes tag
 * </pre>
 */
final class BackupCipher {

    private static final byte[] MAGIC = "SWARMGATE-BACKUP-AES256\n".getBytes(StandardCharsets.US_ASCII);
    /** OWASP's 2023 figure for PBKDF2-HMAC-SHA-256. */
    static final int ITERATIONS = 600_000;
    private static final int SALT = 16;
    private static final int IV = 16;
    private static final int TAG = 32;
    private static final int HEADER = MAGIC.length + 4 + SALT + IV;

    /** The passphrase is wrong or the file was changed. */
    static final class BadPassphraseException extends IOException {
        BadPassphraseException(String message) {
            super(message);
        }
    }

    private BackupCipher() {
    }

    /** Whether {@code file} starts like an encrypted backup. */
    static boolean isEncrypted(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(MAGIC.length), MAGIC);
        }
    }

    static void encrypt(Path plain, Path out, char[] passphrase) throws IOException {
        SecureRandom random = new SecureRandom();
        byte[] salt = new byte[SALT];
        byte[] iv = new byte[IV];
        random.nextBytes(salt);
        random.nextBytes(iv);
        Keys keys = keys(passphrase, salt, ITERATIONS);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(plain));
             DataOutputStream o = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(out)))) {
            Cipher cipher = Cipher.getInstance("AES/CTR/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, keys.cipher(), new IvParameterSpec(iv));
            Mac mac = keys.mac();
            Header header = new Header(ITERATIONS, salt, iv);
            o.write(header.bytes());
            mac.update(header.bytes());
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                byte[] c = cipher.update(buffer, 0, n);
                mac.update(c);
                o.write(c);
            }
            byte[] last = cipher.doFinal();
            mac.update(last);
            o.write(last);
            o.write(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot encrypt the backup: " + e.getMessage(), e);
        }
    }

    static void decrypt(Path encrypted, Path out, char[] passphrase) throws IOException {
        long size = Files.size(encrypted);
        if (size < HEADER + TAG) {
            throw new BadPassphraseException(encrypted + " is too short to be an encrypted backup");
        }
        int iterations;
        byte[] salt;
        byte[] iv;
        try (DataInputStream in = new DataInputStream(Files.newInputStream(encrypted))) {
            in.readNBytes(MAGIC.length);
            iterations = in.readInt();
            salt = in.readNBytes(SALT);
            iv = in.readNBytes(IV);
        }
        if (iterations < 10_000 || iterations > 10_000_000) {
            throw new BadPassphraseException(encrypted + " has an implausible key derivation count: changed or damaged");
        }
        Keys keys = keys(passphrase, salt, iterations);
        long body = size - HEADER - TAG;
        try {
            // First pass: the tag, before anything is decrypted or written.
            Mac mac = keys.mac();
            byte[] tag;
            try (InputStream in = new BufferedInputStream(Files.newInputStream(encrypted))) {
                mac.update(in.readNBytes(HEADER));
                copy(in, body, mac::update);
                tag = in.readNBytes(TAG);
            }
            if (!MessageDigest.isEqual(mac.doFinal(), tag)) {
                throw new BadPassphraseException("the passphrase is wrong, or " + encrypted + " was changed or damaged");
            }
            Cipher cipher = Cipher.getInstance("AES/CTR/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, keys.cipher(), new IvParameterSpec(iv));
            try (InputStream in = new BufferedInputStream(Files.newInputStream(encrypted));
                 OutputStream o = new BufferedOutputStream(Files.newOutputStream(out))) {
                in.skipNBytes(HEADER);
                copy(in, body, (b, off, len) -> o.write(cipher.update(b, off, len)));
                o.write(cipher.doFinal());
            }
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot decrypt the backup: " + e.getMessage(), e);
        }
    }

    /** Reads a passphrase from the first line of {@code file}; refuses an empty one. */
    static char[] readPassphrase(Path file) throws IOException {
        String first = Files.readAllLines(file, StandardCharsets.UTF_8).stream().findFirst().orElse("");
        if (first.isEmpty()) {
            throw new ExitCodes.UsageException("the passphrase file " + file + " is empty; put the passphrase on its"
                    + " first line");
        }
        return first.toCharArray();
    }

    private interface Chunk {
        void accept(byte[] buffer, int offset, int length) throws IOException, GeneralSecurityException;
    }

    private static void copy(InputStream in, long length, Chunk chunk) throws IOException, GeneralSecurityException {
        byte[] buffer = new byte[64 * 1024];
        long left = length;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw new BadPassphraseException("the encrypted backup ends early: damaged");
            }
            chunk.accept(buffer, 0, n);
            left -= n;
        }
    }

    private record Header(int iterations, byte[] salt, byte[] iv) {
        byte[] bytes() {
            byte[] out = new byte[HEADER];
            System.arraycopy(MAGIC, 0, out, 0, MAGIC.length);
            int at = MAGIC.length;
            out[at] = (byte) (iterations >>> 24);
            out[at + 1] = (byte) (iterations >>> 16);
            out[at + 2] = (byte) (iterations >>> 8);
            out[at + 3] = (byte) iterations;
            System.arraycopy(salt, 0, out, at + 4, SALT);
            System.arraycopy(iv, 0, out, at + 4 + SALT, IV);
            return out;
        }
    }

    private record Keys(SecretKeySpec cipher, SecretKeySpec macKey) {
        Mac mac() throws IOException {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(macKey);
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IOException("HMAC-SHA-256 is not available: " + e.getMessage(), e);
            }
        }
    }

    private static Keys keys(char[] passphrase, byte[] salt, int iterations) throws IOException {
        try {
            PBEKeySpec spec = new PBEKeySpec(passphrase, salt, iterations, 512);
            byte[] k = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
            spec.clearPassword();
            Keys keys = new Keys(new SecretKeySpec(k, 0, 32, "AES"), new SecretKeySpec(k, 32, 32, "HmacSHA256"));
            Arrays.fill(k, (byte) 0);
            return keys;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot derive the backup key: " + e.getMessage(), e);
        }
    }
}
