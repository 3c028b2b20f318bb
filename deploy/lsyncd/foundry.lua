-- lsyncd configuration: a foundry standby's root follows the primary's.
--
--   FOUNDRY_REPLICA_SOURCE=/srv/foundry FOUNDRY_REPLICA_TARGET=/srv/standby \
--   FOUNDRY_REPLICATE=/usr/local/bin/foundry-replicate lsyncd -nodaemon deploy/lsyncd/foundry.lua
--
-- lsyncd watches the source with inotify and, for every batch of changes,
-- runs foundry-replicate for the projects they touched (one batch at a
-- time; changes that arrive meanwhile make the next batch). The copy itself
-- and its fence are described in foundry-replicate. Replication is
-- asynchronous: what the primary acknowledged in the last batch before it
-- died is lost (docs/cluster.md measures it).

local source = assert(os.getenv('FOUNDRY_REPLICA_SOURCE'), 'set FOUNDRY_REPLICA_SOURCE (the primary root)')
local target = assert(os.getenv('FOUNDRY_REPLICA_TARGET'), 'set FOUNDRY_REPLICA_TARGET (the standby root)')
local replicate = os.getenv('FOUNDRY_REPLICATE') or '/usr/local/bin/foundry-replicate'
local state = os.getenv('FOUNDRY_REPLICA_STATE') or '/var/lib/lsyncd'

settings {
    logfile = state .. '/foundry-lsyncd.log',
    statusFile = state .. '/foundry-lsyncd.status',
    statusInterval = 1,
    nodaemon = true,
    insist = true,
}

-- The top-level directory of a changed path: the project (names starting
-- with '.' are the server's own or temp files).
local function projectsOf(paths)
    local projects, seen = {}, {}
    for _, path in ipairs(paths) do
        local project = string.match(path, '^/?([^/]+)')
        if project and not string.match(project, '^%.') and not seen[project] then
            seen[project] = true
            table.insert(projects, project)
        end
    end
    return projects
end

local foundry = {
    delay = 0,
    maxProcesses = 1,
    -- The first copy: every project.
    init = function(event)
        spawn(event, replicate, source, target)
    end,
    action = function(inlet)
        local batch = inlet.getEvents(function(event) return event.etype ~= 'Init' and event.etype ~= 'Blanket' end)
        spawn(batch, replicate, source, target, projectsOf(batch.getPaths()))
    end,
    collect = function(agent, exitcode)
        if exitcode == 75 then
            log('Error', 'the standby was promoted: replication is fenced; lsyncd stops (docs/cluster.md, fail-back)')
            terminate(0)
        end
        return default.collect(agent, exitcode)
    end,
    exitcodes = { [0] = 'ok', [1] = 'again' },
    -- The keys lsyncd accepts in this table ('exclude' is not among the defaults).
    checkgauge = {
        action = true, checkgauge = true, collect = true, delay = true, exclude = true, exitcodes = true,
        init = true, maxDelays = true, maxProcesses = true, prepare = true, source = true, target = true,
    },
}

sync {
    foundry,
    source = source,
    target = target,
    exclude = { '.tmp-*', '.mutex', '.released-*', '/.foundry/' },
}
