-- wrk script: every request carries the next bearer token of a token file (one a line).
--   wrk -s bench/unique_tokens.lua URL -- TOKENS FIRST COUNT THREADS
-- Uses lines FIRST .. FIRST+COUNT-1 (0-based); wrk thread k of THREADS takes every
-- THREADS-th of them starting at k, so no two threads share a token, and cycles through
-- its share in order. Requests are formatted once, in init, so wrk spends no time per request.

local next_id = 0

function setup(thread)
   thread:set("id", next_id)
   next_id = next_id + 1
end

function init(args)
   local path, first, count, threads = args[1], tonumber(args[2]), tonumber(args[3]), tonumber(args[4])
   requests = {}
   local line_no = 0
   for token in io.lines(path) do
      local offset = line_no - first
      if offset >= 0 and offset < count and offset % threads == id then
         wrk.headers["Authorization"] = "Bearer " .. token
         requests[#requests + 1] = wrk.format()
      end
      line_no = line_no + 1
   end
   if #requests == 0 then
      error("no tokens for thread " .. id .. " in " .. path)
   end
   index = 0
end

function request()
   index = index % #requests + 1
   return requests[index]
end
