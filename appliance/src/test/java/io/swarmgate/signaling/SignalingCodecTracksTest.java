package io.swarmgate.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmgate.mesh.SiteLeaders;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The renditions a viewer plays ({@code tracks}) and the leaders per rendition it is told ({@code leaders}). */
class SignalingCodecTracksTest {

    private final SignalingCodec codec = new SignalingCodec();

    @Test
    void aViewerNamesUpToFourDistinctRenditions() throws Exception {
        ClientMessage.Tracks t = (ClientMessage.Tracks) codec.decode(
                "{\"type\":\"tracks\",\"tracks\":[\"main:0\",\"audio:en\",\"video:rep-1\",\"x:" + "a".repeat(62) + "\"]}");
        assertEquals(List.of("main:0", "audio:en", "video:rep-1", "x:" + "a".repeat(62)), t.tracks());
        assertEquals(List.of(), ((ClientMessage.Tracks) codec.decode("{\"type\":\"tracks\",\"tracks\":[]}")).tracks(),
                "a player that stopped plays nothing");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"type\":\"tracks\"}",
        "{\"type\":\"tracks\",\"tracks\":\"main:0\"}",
        "{\"type\":\"tracks\",\"tracks\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}",
        "{\"type\":\"tracks\",\"tracks\":[\"main:0\",\"main:0\"]}",
        "{\"type\":\"tracks\",\"tracks\":[\"\"]}",
        "{\"type\":\"tracks\",\"tracks\":[7]}",
        "{\"type\":\"tracks\",\"tracks\":[\"main 0\"]}",
        "{\"type\":\"tracks\",\"tracks\":[\"main\\u00000\"]}",
        "{\"type\":\"tracks\",\"tracks\":[\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"]}",
    })
    void anythingElseIsRefusedNamingTheField(String frame) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> codec.decode(frame));
        assertEquals(ErrorCode.INVALID_FIELD, e.code());
        assertTrue(e.getMessage().contains("'tracks'"), e.getMessage());
    }

    @Test
    void leadersCarryEachRenditionsListOnlyWhenThereAreAny() throws Exception {
        ObjectMapper json = new ObjectMapper();
        JsonNode plain = json.readTree(codec.encode(new ServerMessage.Leaders(List.of("p-a", "p-b"))));
        assertEquals("[\"p-a\",\"p-b\"]", plain.get("leaders").toString());
        assertTrue(plain.path("tracks").isMissingNode(), "an older SDK sees the message it always saw");
        JsonNode both = json.readTree(codec.encode(new ServerMessage.Leaders(new SiteLeaders(List.of("p-a"),
                Map.of("main:1", List.of("p-a", "p-b"), "main:0", List.of("p-c"), "audio:0", List.of())))));
        assertEquals("{\"main:0\":[\"p-c\"],\"main:1\":[\"p-a\",\"p-b\"]}", both.get("tracks").toString(),
                "sorted by rendition; a rendition without leaders is left out");
    }
}
