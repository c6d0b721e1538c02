package org.beyondsoftmax.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.BeanProperty;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.deser.ContextualDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.beyondsoftmax.models.attention.AttentionFactory;
import org.beyondsoftmax.models.attention.Normalisers;
import org.beyondsoftmax.models.heads.HeadFactory;
import org.beyondsoftmax.models.heads.Heads;
import org.beyondsoftmax.models.io.AtomicFiles;
import org.beyondsoftmax.models.spec.Registry;
import org.beyondsoftmax.models.spec.Spec;
import org.beyondsoftmax.models.spec.SpecText;

/**
 * The application's JSON files: pretty, written atomically and durably ({@link AtomicFiles}),
 * read leniently (unknown properties are ignored, so older readers take newer files). Specs are
 * written as their text and read back through the registry of their type: {@code Spec<HeadFactory>}
 * through the heads', {@code Spec<AttentionFactory>} through the attention normalisers'.
 */
public final class Json {
  /** The mapper behind {@link #write} and {@link #read}, for values written inside other files. */
  public static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .registerModule(new SimpleModule("beyond-softmax specs")
          .addSerializer(new SpecText())
          .addDeserializer(Spec.class, new Specs(Heads.REGISTRY)));

  /** The registry of each type of spec the application's files hold, by its factory type. */
  private static final Map<Class<?>, Registry<?>> REGISTRIES =
      Map.of(HeadFactory.class, Heads.REGISTRY, AttentionFactory.class, Normalisers.REGISTRY);

  private Json() {}

  /** Writes {@code value} to {@code file} atomically and durably. */
  public static void write(Path file, Object value) throws IOException {
    AtomicFiles.write(file, out -> MAPPER.writeValue(out, value));
  }

  public static <T> T read(Path file, Class<T> type) throws IOException {
    return MAPPER.readValue(file.toFile(), type);
  }

  /** A spec as its text, e.g. "plif:knots=1000". */
  @SuppressWarnings({"rawtypes", "unchecked"})
  private static final class SpecText extends StdSerializer<Spec> {
    SpecText() {
      super(Spec.class);
    }

    @Override
    public void serialize(Spec value, JsonGenerator gen, SerializerProvider provider) throws IOException {
      gen.writeString(value.toString());
    }
  }

  /**
   * A spec from its text, through the registry its declared type names ({@code Spec<HeadFactory>}
   * or {@code Spec<AttentionFactory>}); a bare {@code Spec} is a head's.
   */
  @SuppressWarnings("rawtypes")
  private static final class Specs extends JsonDeserializer<Spec> implements ContextualDeserializer {
    private final Registry<?> registry;

    Specs(Registry<?> registry) {
      this.registry = registry;
    }

    @Override
    public JsonDeserializer<?> createContextual(DeserializationContext ctxt, BeanProperty property)
        throws JsonMappingException {
      JavaType type = property != null ? property.getType() : ctxt.getContextualType();
      if (type == null || type.containedTypeCount() == 0) {
        return this;
      }
      Registry<?> r = REGISTRIES.get(type.containedType(0).getRawClass());
      if (r == null) {
        throw JsonMappingException.from(ctxt, "no registry reads specs of type " + type);
      }
      return new Specs(r);
    }

    @Override
    public Spec deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      String text = p.getValueAsString();
      try {
        return registry.parse(text);
      } catch (IllegalArgumentException e) {
        throw InvalidFormatException.from(p, e.getMessage(), text, Spec.class);
      }
    }
  }
}
