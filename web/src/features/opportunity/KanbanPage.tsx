import {
  DndContext,
  type DragEndEvent,
  DragOverlay,
  type DragStartEvent,
  KeyboardSensor,
  MouseSensor,
  pointerWithin,
  rectIntersection,
  type CollisionDetection,
  TouchSensor,
  useDraggable,
  useDroppable,
  useSensor,
  useSensors,
} from '@dnd-kit/core';
import { PlusOutlined } from '@ant-design/icons';
import { type InfiniteData, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Empty, Flex, Skeleton, Tag, Typography } from 'antd';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import type { CursorPage, Opportunity, OpportunityDetail, ProcessStage } from '@/api/types';
import { PageContainer } from '@/components/PageContainer';
import { QueryError } from '@/components/QueryError';
import { primaryPosition, useAccess, useMe } from '@/features/auth/hooks';
import { ProcessVersionPicker } from '@/features/process/ProcessVersionPicker';
import { useActiveTemplates, useEffectiveProcess, useProcessVersion } from '@/features/process/hooks';
import { useI18n } from '@/i18n';
import { CreateOpportunityModal } from './CreateOpportunityModal';
import { DealCard } from './DealCard';
import { type OpportunityFilters, oppKeys, useStageColumn } from './hooks';
import { stageName } from './labels';
import { OpportunityFilterBar, useOpportunityFilters } from './OpportunityFilterBar';
import { RefusalModal, useStageMover } from './StageMover';
import { sortStages } from './stages';
import { ViewSwitch } from './ViewSwitch';
import './opportunity.css';

const collision: CollisionDetection = (args) => {
  const within = pointerWithin(args);
  return within.length ? within : rectIntersection(args);
};

function DraggableDeal({ deal, pending, canMove, onOpen }: { deal: Opportunity; pending: boolean; canMove: boolean; onOpen: () => void }) {
  const { attributes, listeners, setNodeRef, isDragging } = useDraggable({ id: deal.id, data: { deal }, disabled: pending || !canMove });
  return (
    <div
      ref={setNodeRef}
      {...listeners}
      {...attributes}
      role="button"
      className={`deal-card-wrap${isDragging ? ' is-dragging' : ''}`}
      data-testid="deal-card"
      data-deal-id={deal.id}
      onClick={onOpen}
      onKeyDown={(e) => {
        listeners?.onKeyDown?.(e);
        if (e.key === 'Enter') onOpen();
      }}
    >
      <DealCard deal={deal} pending={pending} />
    </div>
  );
}

interface ColumnProps {
  stage: ProcessStage;
  canMove: boolean;
  filters: OpportunityFilters;
  moving: { deal: Opportunity; stageId: string } | null;
  onOpen: (deal: Opportunity) => void;
}

function StageColumn({ stage, canMove, filters, moving, onOpen }: ColumnProps) {
  const { t, locale } = useI18n();
  const { setNodeRef, isOver } = useDroppable({ id: stage.id, data: { stage } });
  const column = useStageColumn(stage.id, filters);
  const loaded = column.data?.pages.flatMap((p) => p.items) ?? [];
  const total = column.data?.pages[0]?.total ?? null;
  // While a move is in flight the card already shows in its new column.
  const items = moving
    ? [
        ...(moving.stageId === stage.id && !loaded.some((d) => d.id === moving.deal.id) ? [moving.deal] : []),
        ...loaded.filter((d) => d.id !== moving.deal.id || moving.stageId === stage.id),
      ]
    : loaded;
  const kindClass = stage.kind === 'open' ? '' : ` is-${stage.kind}`;

  return (
    <section
      ref={setNodeRef}
      className={`opp-column${kindClass}${isOver ? ' is-over' : ''}`}
      data-testid="kanban-column"
      data-stage-code={stage.code}
      data-stage-id={stage.id}
      aria-label={stageName(stage, locale)}
    >
      <header className="opp-column-head">
        <Flex justify="space-between" align="center" gap={8}>
          <Typography.Text strong ellipsis>
            {stageName(stage, locale)}
          </Typography.Text>
          <Flex gap={4} align="center">
            <Tag bordered={false} color={stage.kind === 'won' ? 'success' : stage.kind === 'lost' ? 'default' : 'blue'}>
              {stage.probability}%
            </Tag>
            <span className="opp-column-count" data-testid="column-count">
              {total ?? loaded.length}
            </span>
          </Flex>
        </Flex>
        {stage.max_days ? (
          <Typography.Text type="secondary" className="opp-column-sub">
            {t('opp.maxDays', { days: stage.max_days })}
          </Typography.Text>
        ) : null}
      </header>
      <div className="opp-column-body">
        {column.isError ? (
          <QueryError error={column.error} onRetry={() => void column.refetch()} />
        ) : column.isPending ? (
          <Skeleton active paragraph={{ rows: 3 }} />
        ) : items.length === 0 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('opp.columnEmpty')} />
        ) : (
          items.map((deal) => (
            <DraggableDeal key={deal.id} deal={deal} pending={moving?.deal.id === deal.id} canMove={canMove} onOpen={() => onOpen(deal)} />
          ))
        )}
        {column.hasNextPage ? (
          <Button block type="text" loading={column.isFetchingNextPage} onClick={() => void column.fetchNextPage()}>
            {t('opp.loadMore')}
          </Button>
        ) : null}
      </div>
    </section>
  );
}

/** Which process version the board shows: the URL's, else the subsidiary's effective one. */
function useBoardVersion(subsidiaryFilter: string | null) {
  const { data: me } = useMe();
  const [params] = useSearchParams();
  const own = me ? (primaryPosition(me)?.subsidiary_id ?? null) : null;
  const subsidiaryId = subsidiaryFilter ?? own;
  const effective = useEffectiveProcess(subsidiaryId);
  const templates = useActiveTemplates();
  const standard = templates.data?.find((tpl) => !tpl.subsidiary_id)?.latest_published_version_id ?? null;
  const fromEffective = subsidiaryId && !effective.isError ? (effective.data?.version.id ?? null) : null;
  const versionId = params.get('version') ?? fromEffective ?? (subsidiaryId && effective.isPending ? null : standard);
  const version = useProcessVersion(versionId);
  return { versionId, version, resolving: !versionId && (effective.isFetching || templates.isPending) };
}

type ColumnData = InfiniteData<CursorPage<Opportunity>>;

export default function KanbanPage() {
  const { t } = useI18n();
  const { can } = useAccess();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const { filters, setFilter } = useOpportunityFilters();
  const boardFilters: OpportunityFilters = { q: filters.q, ownerId: filters.ownerId, unitId: filters.unitId, subsidiaryId: filters.subsidiaryId, stalled: filters.stalled };
  const { versionId, version, resolving } = useBoardVersion(filters.subsidiaryId);
  const stages = useMemo(() => sortStages(version.data?.stages ?? []), [version.data]);
  // Another subsidiary runs another process: a changed subsidiary filter drops the chosen version.
  const lastSubsidiary = useRef(filters.subsidiaryId);
  useEffect(() => {
    if (lastSubsidiary.current !== filters.subsidiaryId) setFilter('version', null);
    lastSubsidiary.current = filters.subsidiaryId;
  }, [filters.subsidiaryId]);
  const [dragging, setDragging] = useState<Opportunity | null>(null);
  const [creating, setCreating] = useState(false);

  /** Moves the card in the cached columns at once; the refetch that follows confirms it. */
  const placeMoved = (moved: OpportunityDetail, fromStageId: string) => {
    const key = (stageId: string) => [...oppKeys.all, 'column', stageId] as const;
    qc.setQueriesData<ColumnData>({ queryKey: key(fromStageId) }, (data) =>
      data ? { ...data, pages: data.pages.map((p) => ({ ...p, items: p.items.filter((d) => d.id !== moved.id), total: typeof p.total === 'number' ? p.total - 1 : p.total })) } : data,
    );
    qc.setQueriesData<ColumnData>({ queryKey: key(moved.stage.id) }, (data) =>
      data
        ? { ...data, pages: data.pages.map((p, i) => (i === 0 ? { ...p, items: [moved, ...p.items.filter((d) => d.id !== moved.id)], total: typeof p.total === 'number' ? p.total + 1 : p.total } : p)) }
        : data,
    );
  };

  // The card just dropped and the column it left: placed in its new column while the move runs.
  const [dropped, setDropped] = useState<Opportunity | null>(null);
  const droppedFrom = useRef<string | null>(null);
  const mover = useStageMover({
    onMoved: (moved) => {
      if (droppedFrom.current) placeMoved(moved, droppedFrom.current);
    },
  });
  const moving = mover.pending && dropped?.id === mover.pending.dealId ? { deal: dropped, stageId: mover.pending.stageId } : null;

  const sensors = useSensors(
    useSensor(MouseSensor, { activationConstraint: { distance: 6 } }),
    useSensor(TouchSensor, { activationConstraint: { delay: 220, tolerance: 8 } }),
    // Space picks a card up and drops it (arrows move it); Enter opens the deal.
    useSensor(KeyboardSensor, { keyboardCodes: { start: ['Space'], cancel: ['Escape'], end: ['Space'] } }),
  );

  const onDragStart = (e: DragStartEvent) => setDragging((e.active.data.current as { deal: Opportunity } | undefined)?.deal ?? null);
  const onDragEnd = (e: DragEndEvent) => {
    const deal = (e.active.data.current as { deal: Opportunity } | undefined)?.deal;
    setDragging(null);
    const target = e.over ? stages.find((s) => s.id === e.over?.id) : undefined;
    if (!deal || !target || target.id === deal.stage.id) return;
    if (!can('opportunity.write')) return;
    setDropped(deal);
    droppedFrom.current = deal.stage.id;
    mover.request(deal, stages, target.code);
  };

  const canCreate = can('opportunity.write');

  return (
    <PageContainer
      title={t('opp.title')}
      subtitle={t('opp.boardSubtitle')}
      extra={
        <>
          <ViewSwitch view="board" />
          {canCreate ? (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="opp-create">
              {t('opp.create')}
            </Button>
          ) : null}
        </>
      }
    >
      <Card className="opp-board-card" styles={{ body: { padding: 16 } }}>
        <OpportunityFilterBar>
          <ProcessVersionPicker value={versionId} onChange={(id) => setFilter('version', id)} style={{ width: 340, maxWidth: '100%' }} />
        </OpportunityFilterBar>
        {version.isError ? (
          <QueryError error={version.error} onRetry={() => void version.refetch()} />
        ) : resolving || version.isPending ? (
          <Skeleton active />
        ) : stages.length === 0 ? (
          <Alert type="info" showIcon message={t('opp.noProcess')} />
        ) : (
          <>
            <Typography.Paragraph type="secondary" className="opp-board-hint">
              {t('opp.boardHint')}
            </Typography.Paragraph>
            <DndContext sensors={sensors} collisionDetection={collision} onDragStart={onDragStart} onDragEnd={onDragEnd} onDragCancel={() => setDragging(null)} autoScroll>
              <div className="opp-board" data-testid="kanban-board">
                {stages.map((stage) => (
                  <StageColumn key={stage.id} stage={stage} canMove={canCreate} filters={boardFilters} moving={moving} onOpen={(d) => navigate(`/opportunities/${d.id}`)} />
                ))}
              </div>
              <DragOverlay dropAnimation={null}>{dragging ? <DealCard deal={dragging} overlay /> : null}</DragOverlay>
            </DndContext>
          </>
        )}
      </Card>
      {mover.element}
      <RefusalModal refusal={mover.refusal} onClose={mover.clearRefusal} />
      <CreateOpportunityModal
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(deal) => {
          setCreating(false);
          navigate(`/opportunities/${deal.id}`);
        }}
      />
    </PageContainer>
  );
}
