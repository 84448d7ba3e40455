// as_greet: a wasmcp plugin in AssemblyScript, with one network-free tool.
//
// The contract is the one in abi/abi.go: two Extism exports returning i32,
// wasmcp_describe (no input, the descriptor JSON out) and wasmcp_call
// ({"tool":...,"arguments":{...}} in, {"content":{...}} or
// {"isError":true,"message":...} out). Input is read with the Extism kernel
// (Host.input), output is written with Host.output as UTF-8 bytes: the
// pdk's Host.outputString would set the output's length to the string's
// UTF-16 length and cut non-ASCII text short.
//
// asconfig.json builds it with "--use abort=", without which the module
// imports env.abort (the host does not provide it), and with
// "--exportStart _initialize", which runs the module's top-level code on the
// first call instead of in a start section during instantiation. See
// docs/other-languages.md.
import { Host } from "@extism/as-pdk";

const DESCRIPTOR = `{
  "abi_version": 1,
  "name": "as-greet",
  "version": "0.1.0",
  "provider": "github",
  "hosts": ["https://api.github.com"],
  "tools": [{
    "name": "as_greet",
    "description": "Greets someone by name. An AssemblyScript example; it makes no request.",
    "inputSchema": {
      "type": "object",
      "properties": {"name": {"type": "string", "description": "Who to greet."}},
      "required": ["name"],
      "additionalProperties": false
    },
    "outputSchema": {
      "type": "object",
      "properties": {"greeting": {"type": "string"}},
      "required": ["greeting"]
    },
    "annotations": {"title": "Greet (AssemblyScript)", "readOnlyHint": true, "openWorldHint": false}
  }]
}`;

export function wasmcp_describe(): i32 {
  output(DESCRIPTOR);
  return 0;
}

export function wasmcp_call(): i32 {
  const req = new Request();
  if (!req.parse(new Reader(String.UTF8.decode(Host.input().buffer)))) {
    return fail("the request is not the JSON expected");
  }
  if (req.tool != "as_greet") {
    return fail("unknown tool: " + req.tool);
  }
  if (!req.hasName) {
    return fail("missing argument: name");
  }
  output(`{"content":{"greeting":` + quote("Hello, " + req.name + "!") + `}}`);
  return 0;
}

// Request is the CallRequest: {"tool": "...", "arguments": {"name": "..."}}.
// Other keys are skipped.
class Request {
  tool: string = "";
  name: string = "";
  hasName: bool = false;

  parse(r: Reader): bool {
    if (!r.eat(0x7b)) return false; // {
    if (r.eat(0x7d)) return true; // }
    do {
      const key = r.key();
      if (key === null) return false;
      if (key == "tool") {
        const s = r.string();
        if (s === null) return false;
        this.tool = s;
      } else if (key == "arguments") {
        if (!this.parseArguments(r)) return false;
      } else if (!r.skip()) return false;
    } while (r.eat(0x2c)); // ,
    return r.eat(0x7d);
  }

  parseArguments(r: Reader): bool {
    if (!r.eat(0x7b)) return false;
    if (r.eat(0x7d)) return true;
    do {
      const key = r.key();
      if (key === null) return false;
      if (key == "name") {
        const s = r.string();
        if (s === null) return false;
        this.name = s;
        this.hasName = true;
      } else if (!r.skip()) return false;
    } while (r.eat(0x2c));
    return r.eat(0x7d);
  }
}

// fail answers with a tool error the model reads.
function fail(message: string): i32 {
  output(`{"isError":true,"message":` + quote(message) + `}`);
  return 0;
}

// output sets the Extism output to s as UTF-8.
function output(s: string): void {
  Host.output(Uint8Array.wrap(String.UTF8.encode(s)));
}

// quote returns s as a JSON string.
function quote(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 0x22) out += '\\"';
    else if (c == 0x5c) out += "\\\\";
    else if (c < 0x20) out += "\\u" + c.toString(16).padStart(4, "0");
    else out += String.fromCharCode(c);
  }
  return out + '"';
}

// Reader is a small JSON reader: enough to pick strings out of objects and
// skip everything else. The host has validated the arguments against the
// input schema, and sends JSON it produced itself.
class Reader {
  pos: i32 = 0;
  constructor(public s: string) {}

  ws(): void {
    while (this.pos < this.s.length) {
      const c = this.s.charCodeAt(this.pos);
      if (c != 0x20 && c != 0x09 && c != 0x0a && c != 0x0d) break;
      this.pos++;
    }
  }

  peek(): i32 {
    this.ws();
    return this.pos < this.s.length ? this.s.charCodeAt(this.pos) : -1;
  }

  eat(c: i32): bool {
    if (this.peek() != c) return false;
    this.pos++;
    return true;
  }

  // key reads an object's key and its colon; null if there is none.
  key(): string | null {
    const k = this.string();
    if (k === null || !this.eat(0x3a)) return null; // :
    return k;
  }

  // string reads a JSON string, decoding its escapes; null if there is none.
  string(): string | null {
    if (!this.eat(0x22)) return null;
    let out = "";
    let start = this.pos;
    while (this.pos < this.s.length) {
      const c = this.s.charCodeAt(this.pos);
      if (c == 0x22) {
        out += this.s.substring(start, this.pos);
        this.pos++;
        return out;
      }
      if (c != 0x5c) {
        this.pos++;
        continue;
      }
      out += this.s.substring(start, this.pos);
      if (this.pos + 1 >= this.s.length) return null;
      const e = this.s.charCodeAt(this.pos + 1);
      this.pos += 2;
      if (e == 0x75) { // \uXXXX; surrogate pairs join as UTF-16 units
        if (this.pos + 4 > this.s.length) return null;
        const code = I32.parseInt(this.s.substring(this.pos, this.pos + 4), 16);
        out += String.fromCharCode(code);
        this.pos += 4;
      } else if (e == 0x6e) out += "\n";
      else if (e == 0x74) out += "\t";
      else if (e == 0x72) out += "\r";
      else if (e == 0x62) out += "\b";
      else if (e == 0x66) out += "\f";
      else out += String.fromCharCode(e); // \" \\ \/
      start = this.pos;
    }
    return null;
  }

  // skip reads any JSON value; false if it is malformed.
  skip(): bool {
    const c = this.peek();
    if (c == 0x22) return this.string() !== null;
    if (c == 0x7b) { // {
      this.pos++;
      if (this.eat(0x7d)) return true;
      while (true) {
        if (this.key() === null || !this.skip()) return false;
        if (this.eat(0x2c)) continue;
        return this.eat(0x7d);
      }
    }
    if (c == 0x5b) { // [
      this.pos++;
      if (this.eat(0x5d)) return true;
      while (true) {
        if (!this.skip()) return false;
        if (this.eat(0x2c)) continue;
        return this.eat(0x5d);
      }
    }
    // a number, true, false or null
    const start = this.pos;
    while (this.pos < this.s.length) {
      const d = this.s.charCodeAt(this.pos);
      if (d == 0x2c || d == 0x7d || d == 0x5d || d == 0x20 || d == 0x09 || d == 0x0a || d == 0x0d) break;
      this.pos++;
    }
    return this.pos > start;
  }
}
