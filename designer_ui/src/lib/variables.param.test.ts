// Review (Studio migrant): Insert variable in an SQL query wrote `{{ caller_id }}`, which the SQL block does not
// render: the database got the braces (MariaDB's 1064). A query takes a value as a bound parameter, `:caller_id`.
import { describe, expect, it } from "vitest";
import { insertVariable } from "./variables";

describe("a variable inserted into an SQL query", () => {
  it("is written as its parameter, :name, the caret after it", () => {
    expect(insertVariable("WHERE phone = ", "caller_id", undefined, "param", 14)).toEqual({
      text: "WHERE phone = :caller_id",
      caret: 24,
    });
  });

  it("takes a space before it when glued to a word, and after it when a word follows", () => {
    expect(insertVariable("WHERE phone =", "caller_id", undefined, "param", 13).text).toBe("WHERE phone =:caller_id");
    expect(insertVariable("SELECT x FROM t WHERE", "caller_id", undefined, "param", 21)).toEqual({
      text: "SELECT x FROM t WHERE :caller_id",
      caret: 32,
    });
    expect(insertVariable("phone = ORDER BY x", "caller_id", undefined, "param", 8, 8).text).toBe("phone = :caller_id ORDER BY x");
  });

  it("replaces the selection, and says a date as it is stored: a query compares values, nobody hears them", () => {
    expect(insertVariable("WHERE d = {{ fecha }}", "fecha", "date", "param", 10, 21).text).toBe("WHERE d = :fecha");
  });
});
